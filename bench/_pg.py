"""Shared set-up for benchmarks: a dedicated PostgreSQL database, migrated, with a demo district."""
import os
import sys
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
ADMIN_URL = os.environ.get("GONGZHI_BENCH_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/test")
DB = os.environ.get("GONGZHI_BENCH_DB", "gongzhi_bench")
URL = f"postgres://postgres@127.0.0.1:5432/{DB}"


def fresh_database() -> str:
    with psycopg.connect(ADMIN_URL.replace("postgres://", "postgresql://"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB}"')
    os.environ["GONGZHI_DATABASE_URL"] = URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("GONGZHI_DEBUG", "0")
    os.environ.setdefault("GONGZHI_SECRET_KEY", "bench-only")
    import django
    django.setup()
    from django.core.management import call_command
    call_command("migrate", verbosity=0)
    return URL


def build_district():
    from gongzhi.demo.district import build_district as build
    from gongzhi.demo.reference import build_reference
    build_reference()
    return build()


class Timer:
    def __enter__(self):
        self.t0 = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.t0
