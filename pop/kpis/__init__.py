"""POP (preterm optimisation) KPIs of kpis.md "POP (preterm optimisation) KPIs", one module per KPI.

They live beside the POP records they read: the KPI engine (`kpis`) stores figures and never imports this app.
The explicit list is `pop.kpis.registry`; the POP producer (`pop.services`, registered with the engine in
`pop.apps`) evaluates it and stores the figures in `kpis.models.KpiAggregate` beside the HIE figures (each
producer replaces only its own codes).
"""
