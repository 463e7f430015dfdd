"""POP (preterm optimisation) KPIs of kpis.md "POP (preterm optimisation) KPIs", one module per KPI.

The explicit list is `kpis.pop.registry`; `pop.services.compute_pop_kpis` evaluates it and stores the
figures in `kpis.models.KpiAggregate` beside the HIE figures (the HIE engine replaces only its own codes).
"""
