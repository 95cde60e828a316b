"""Time and memory of /bilan/2021.pdf in a warm process.

    .venv/bin/python bench/bilan_pdf.py [--requests 5] [--year 2021] [--current-db]

By default a throw-away SQLite database is created, migrated and loaded with the demonstration
programme (`load_demo`), so that the figures are those of the seed. `--current-db` uses the
database of the environment instead (DATABASE_URL, else db.sqlite3).

Printed, for each kind of request, wall-clock and CPU time:
- the first request (Chromium starts for the charts);
- warm requests as a running server answers them: the document unchanged, its PDF comes from
  the process's cache (keyed by the document's content);
- warm requests laid out again by WeasyPrint each time (PDF cache emptied), charts' SVG reused;
- warm requests with the charts redrawn too, by the running Chromium (as after any change of
  the data);
then the peak of Python allocations during one full warm request (tracemalloc), the process's
peak resident memory and the memory of its Chromium (PSS, from /proc). Other processes on the
machine lengthen the wall-clock times, not the CPU times.
"""

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def children_pss() -> int:
    """Proportional set size, in KiB, of this process's descendants (Chromium), from /proc."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents[int(entry.name)] = int(fields[1])
    todo, total = [os.getpid()], 0
    while todo:
        parent = todo.pop()
        for pid, ppid in parents.items():
            if ppid == parent:
                todo.append(pid)
                try:
                    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                        if line.startswith("Pss:"):
                            total += int(line.split()[1])
                except OSError:
                    pass
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=5, help="warm requests of each kind (5)")
    parser.add_argument("--year", type=int, default=2021)
    parser.add_argument("--current-db", action="store_true", help="use DATABASE_URL / db.sqlite3 as is")
    args = parser.parse_args()

    workdir = None
    if not args.current_db:
        workdir = tempfile.TemporaryDirectory(prefix="bench-bilan-")
        os.environ["DATABASE_URL"] = f"sqlite:///{workdir.name}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contratville.settings.dev")
    os.environ.setdefault("LOG_LEVEL", "WARNING")

    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client

    from reports import bilan, svg

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    if workdir is not None:
        print("Base jetable : migrate + load_demo…", flush=True)
        with open(os.devnull, "w") as devnull:
            call_command("migrate", verbosity=0, stdout=devnull)
            call_command("load_demo", verbosity=0, stdout=devnull)

    user = get_user_model().objects.filter(groups__permissions__codename="view_bilan").first()
    client = Client()
    client.force_login(user)
    url = f"/bilan/{args.year}.pdf"

    def request() -> tuple[float, float, int]:
        wall, cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        assert response.status_code == 200, response.status_code
        assert response.content.startswith(b"%PDF-")
        return time.perf_counter() - wall, time.process_time() - cpu, len(response.content)

    wall, cpu, size = request()
    print(f"{url} : {size / 1024:.0f} Kio")
    print(f"  1re requête (démarrage de Chromium) : {wall:.2f} s (CPU {cpu:.2f} s)")

    def series(label: str, before=None) -> None:
        walls, cpus = [], []
        for _ in range(args.requests):
            if before:
                before()
            wall, cpu, _size = request()
            walls.append(wall)
            cpus.append(cpu)
        print(
            f"  {label} ({args.requests}) : médiane {statistics.median(walls):.2f} s, "
            f"min {min(walls):.2f} s, max {max(walls):.2f} s "
            f"(CPU médian {statistics.median(cpus):.2f} s)"
        )

    def nothing_cached() -> None:
        bilan.clear_pdf_cache()
        svg.clear_cache()

    series("à chaud, PDF inchangé (cache du processus)")
    series("à chaud, PDF recomposé, graphiques en cache", before=bilan.clear_pdf_cache)
    series("à chaud, PDF recomposé, graphiques redessinés", before=nothing_cached)

    nothing_cached()
    tracemalloc.start()
    request()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  pic des allocations Python pendant une requête : {peak / 2**20:.1f} Mio")
    print(f"  pic de mémoire résidente du processus : {rss:.0f} Mio")
    print(f"  mémoire de Chromium (PSS de ses processus, à part) : {children_pss() / 1024:.0f} Mio")
    if workdir is not None:
        workdir.cleanup()


if __name__ == "__main__":
    main()
