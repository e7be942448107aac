"""emploi.offres_par_mois_rome_departement: the offers of every day of silver/offres, counted
per month × ROME code × département, written to the warehouse through JDBC.

    python offres_par_mois_rome_departement.py LAKE

The warehouse is WAREHOUSE_URL (a postgres:// URL). The table is written whole to a staging
table, then swapped in in one transaction: a reader sees the old table or the new one.
"""

import os
import time
from urllib.parse import unquote, urlparse

import lignee_spark
from pyspark.sql import functions as F

SCHEMA = "emploi"
TABLE = "offres_par_mois_rome_departement"


def jdbc(url):
    """A postgres:// URL as a JDBC URL and its user and password."""
    u = urlparse(url)
    if u.scheme not in ("postgres", "postgresql"):
        raise ValueError(f"WAREHOUSE_URL must be a postgres:// URL (got {u.scheme}://…)")
    host = u.hostname or "localhost"
    if ":" in host:
        host = f"[{host}]"
    return (
        f"jdbc:postgresql://{host}:{u.port or 5432}{u.path or '/postgres'}",
        unquote(u.username or ""),
        unquote(u.password or ""),
    )


def execute(spark, url, user, password, statements):
    """Runs SQL statements in one transaction through the JDBC driver Spark has."""
    jvm = spark._jvm
    props = jvm.java.util.Properties()
    props.setProperty("user", user)
    props.setProperty("password", password)
    # The driver itself: DriverManager does not see the jars Spark loaded (spark.jars).
    connection = jvm.org.postgresql.Driver().connect(url, props)
    try:
        connection.setAutoCommit(False)
        statement = connection.createStatement()
        for sql in statements:
            statement.execute(sql)
        connection.commit()
    finally:
        connection.close()


def job(ctx):
    if len(ctx.args) != 1:
        raise ValueError("usage: offres_par_mois_rome_departement.py LAKE")
    (lake,) = ctx.args
    url, user, password = jdbc(os.environ["WAREHOUSE_URL"])
    started = time.monotonic()
    spark = ctx.spark()
    spark.conf.set("spark.sql.session.timeZone", "UTC")
    silver = spark.read.parquet(lake.rstrip("/") + "/silver/offres")
    counts = (
        silver.groupBy(
            F.trunc("jour", "month").alias("mois"),
            F.col("rome_code"),
            F.col("code_departement"),
        )
        .agg(F.count(F.lit(1)).alias("nb_offres"))
        .cache()
    )
    staging = f"{TABLE}__next"
    execute(spark, url, user, password, [f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}"])
    (
        counts.write.format("jdbc")
        .option("url", url)
        .option("user", user)
        .option("password", password)
        .option("driver", "org.postgresql.Driver")
        .option("dbtable", f"{SCHEMA}.{staging}")
        .option("batchsize", 10000)
        .mode("overwrite")
        .save()
    )
    execute(
        spark,
        url,
        user,
        password,
        [
            f"DROP TABLE IF EXISTS {SCHEMA}.{TABLE}",
            f"ALTER TABLE {SCHEMA}.{staging} RENAME TO {TABLE}",
            f"COMMENT ON TABLE {SCHEMA}.{TABLE} IS "
            "'Offers per month x ROME x departement, from silver/offres (Spark)'",
        ],
    )
    totals = counts.agg(F.count(F.lit(1)).alias("groups"), F.sum("nb_offres").alias("offers"))
    row = totals.collect()[0]
    days = silver.select("jour").distinct().count()
    return {
        "silver_rows": silver.count(),
        "rows": row["groups"],
        "offers": row["offers"] or 0,
        "days": days,
        "table": f"{SCHEMA}.{TABLE}",
        "spark_work_ms": round((time.monotonic() - started) * 1000),
    }


lignee_spark.run(job)
