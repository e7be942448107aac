"""silver/offres: days of raw offers (NDJSON, gzipped or not) as typed Parquet in the lake.

    python silver_offres.py LAKE RAW_FILE [RAW_FILE ...]

Each RAW_FILE is one day's file (`…/offres-YYYY-MM-DD.ndjson[.gz]`, a path or an s3a:// URL),
the days being the run's partitions: a whole range is built by one job, one JVM start. Writes
LAKE/silver/offres/jour=DAY/, replacing those days' partitions only (dynamic partition
overwrite): the other days are left as they are. Reports the rows and bytes written, in all and
per day.
"""

import re
import time

import lignee_spark
from pyspark.sql import functions as F
from pyspark.sql import types as T

# The fields read from each offer (the France Travail offer's names); any other is ignored, and
# a value of another type reads as null.
RAW_SCHEMA = T.StructType(
    [
        T.StructField("id", T.StringType()),
        T.StructField("intitule", T.StringType()),
        T.StructField("dateCreation", T.StringType()),
        T.StructField("dateActualisation", T.StringType()),
        T.StructField("romeCode", T.StringType()),
        T.StructField("romeLibelle", T.StringType()),
        T.StructField("appellationlibelle", T.StringType()),
        T.StructField("codeNAF", T.StringType()),
        T.StructField("secteurActiviteLibelle", T.StringType()),
        T.StructField(
            "lieuTravail",
            T.StructType(
                [
                    T.StructField("libelle", T.StringType()),
                    T.StructField("latitude", T.DoubleType()),
                    T.StructField("longitude", T.DoubleType()),
                    T.StructField("codePostal", T.StringType()),
                    T.StructField("commune", T.StringType()),
                ]
            ),
        ),
        T.StructField("entreprise", T.StructType([T.StructField("nom", T.StringType())])),
        T.StructField("typeContrat", T.StringType()),
        T.StructField("natureContrat", T.StringType()),
        T.StructField("experienceExige", T.StringType()),
        T.StructField("alternance", T.BooleanType()),
        T.StructField("nombrePostes", T.IntegerType()),
        T.StructField("qualificationCode", T.StringType()),
        T.StructField("salaire", T.StructType([T.StructField("libelle", T.StringType())])),
    ]
)


def departement(libelle):
    """The département the place's label starts with ("69 - Lyon 3e", "2A - Ajaccio",
    "974 - …"), as emploi.fait_offre_emploi reads it; null otherwise."""
    three = libelle.substr(1, 3)
    two = libelle.substr(1, 2)
    return (
        F.when((libelle.substr(4, 3) == " - ") & three.rlike("^97[0-9]$"), three)
        .when((libelle.substr(3, 3) == " - ") & two.rlike("^([0-9]{2}|2A|2B)$"), two)
        .otherwise(F.lit(None).cast("string"))
    )


def silver(raw):
    lieu = F.col("lieuTravail")
    return raw.select(
        F.col("id"),
        F.to_timestamp("dateCreation").alias("date_creation"),
        F.to_timestamp("dateActualisation").alias("date_actualisation"),
        F.col("intitule"),
        F.col("romeCode").alias("rome_code"),
        F.col("romeLibelle").alias("rome_libelle"),
        F.col("appellationlibelle").alias("appellation_libelle"),
        F.col("codeNAF").alias("code_naf"),
        F.col("secteurActiviteLibelle").alias("secteur_activite_libelle"),
        lieu["libelle"].alias("lieu_travail"),
        lieu["commune"].alias("code_commune"),
        lieu["codePostal"].alias("code_postal"),
        departement(lieu["libelle"]).alias("code_departement"),
        lieu["latitude"].alias("latitude"),
        lieu["longitude"].alias("longitude"),
        F.col("typeContrat").alias("type_contrat"),
        F.col("natureContrat").alias("nature_contrat"),
        F.col("experienceExige").alias("experience_exige"),
        F.col("alternance"),
        F.col("nombrePostes").alias("nombre_postes"),
        F.col("qualificationCode").alias("qualification_code"),
        F.col("entreprise")["nom"].alias("entreprise_nom"),
        F.col("salaire")["libelle"].alias("salaire_libelle"),
        F.to_date("jour").alias("jour"),
    )


# The day a raw file holds, from its name (`offresKey` in packages/assets).
DAY_OF_FILE = r"offres-(\d{4}-\d{2}-\d{2})\.ndjson(\.gz)?$"


def job(ctx):
    if len(ctx.args) < 2:
        raise ValueError("usage: silver_offres.py LAKE RAW_FILE [RAW_FILE ...]")
    lake, files = ctx.args[0], ctx.args[1:]
    days = sorted(ctx.partition_keys)
    named = sorted(m.group(1) for m in (re.search(DAY_OF_FILE, f) for f in files) if m)
    if not days or named != days:
        raise ValueError(f"the raw files {files} are not those of the days {days}")
    started = time.monotonic()
    spark = ctx.spark()
    session_ms = round((time.monotonic() - started) * 1000)
    # Only the partitions written are replaced, not the whole table.
    spark.conf.set("spark.sql.sources.partitionOverwriteMode", "dynamic")
    spark.conf.set("spark.sql.session.timeZone", "UTC")
    target = lake.rstrip("/") + "/silver/offres"
    raw = spark.read.schema(RAW_SCHEMA).option("mode", "PERMISSIVE").json(files)
    raw = raw.withColumn("jour", F.regexp_extract(F.col("_metadata.file_path"), DAY_OF_FILE, 1))
    rows = silver(raw.where(F.col("id").isNotNull()))
    # No shuffle: each day's file is read by its own tasks (one for a file under 128 MB, or
    # gzipped), each writing its day's partition, so a day is about one Parquet file.
    rows.write.mode("overwrite").partitionBy("jour").parquet(target)

    jvm = spark._jvm
    fs = jvm.org.apache.hadoop.fs.Path(target).getFileSystem(spark._jsc.hadoopConfiguration())
    # Each day's own partition read back (its Parquet footers), not the whole lake: the lake may
    # hold no Parquet yet (days without offers), and other runs may be writing other days.
    file_of = {m.group(1): f for f in files for m in [re.search(DAY_OF_FILE, f)] if m}
    by_day = {}
    for day in days:
        path = f"{target}/jour={day}"
        partition = jvm.org.apache.hadoop.fs.Path(path)
        # Asked once (one request to an object store), then known.
        present = fs.exists(partition)
        if present and offerless(spark, jvm, file_of[day]):
            # A day without offers writes no partition: an older one must not stay.
            present = not fs.delete(partition, True)
        written = spark.read.parquet(path).count() if present else 0
        size = fs.getContentSummary(partition).getLength() if present else 0
        by_day[day] = {"rows": written, "bytes": size, "path": path}
    return lignee_spark.Result(
        # The build's figures, on every day of it; each day's own below.
        metadata={
            "build_rows": sum(d["rows"] for d in by_day.values()),
            "build_bytes": sum(d["bytes"] for d in by_day.values()),
            "build_days": len(days),
            "spark_session_ms": session_ms,
            "spark_work_ms": round((time.monotonic() - started) * 1000) - session_ms,
        },
        partition_metadata=by_day,
    )


def offerless(spark, jvm, file):
    """Whether a day's raw file holds no offer: a file of a few bytes at most (an empty day, or
    its gzip), whose lines are blank. Larger files hold offers: not read again."""
    path = jvm.org.apache.hadoop.fs.Path(file)
    fs = path.getFileSystem(spark._jsc.hadoopConfiguration())
    if fs.getFileStatus(path).getLen() > 1024:
        return False
    return spark.read.text(file).where(F.trim(F.col("value")) != "").count() == 0


lignee_spark.run(job)
