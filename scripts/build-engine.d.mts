/** Types of build-engine.mjs, for the TypeScript that imports it (tests, benchmarks). */
export declare const ENGINE_DIST: string;
export declare const ENGINE_CLI: string;
export declare function engineBuildIsStale(): boolean;
export declare function ensureEngineBuilt(log?: (line: string) => void): Promise<boolean>;
export declare function buildEngine(log?: (line: string) => void): Promise<void>;
