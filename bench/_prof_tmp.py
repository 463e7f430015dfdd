import cProfile, pstats, time
from bench import database
database.start_django("postgres://postgres@127.0.0.1:5432/pathway_bench")
from django.test import Client
from bench import measure
c = Client(); c.force_login(measure.network_lead())
for _ in range(3): c.get("/kpis/")
ts = []
for _ in range(5):
    t = time.perf_counter(); c.get("/kpis/"); ts.append((time.perf_counter()-t)*1000)
print("warm ms", [round(x) for x in ts])
pr = cProfile.Profile()
pr.runcall(lambda: [c.get("/kpis/") for _ in range(5)])
pstats.Stats(pr).sort_stats("cumulative").print_stats(40)
