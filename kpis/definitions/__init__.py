"""One module per KPI or median measure of kpis.md; `kpis.registry` lists them explicitly."""
