import { buildExampleDefinitions } from "./example-pipeline";

export { buildExampleDefinitions, type ExampleOverrides } from "./example-pipeline";

/**
 * The example pipeline as a definitions module: `lignee --definitions
 * packages/engine/src/examples/example-definitions.ts …`. The built CLI runs its build
 * (packages/engine/dist/example-definitions.js), which shares the engine's modules.
 */
export default buildExampleDefinitions();
