"""The KPI engine: pure definitions of the neuroprotection KPIs (../shared/spec/kpis.md) and their registry.

Layout (style-anchors.md §4): `facts.py` turns a case into plain values, `definitions/<code>.py` holds one
definition each, `registry.py` lists them explicitly, `medians.py` and `wilson.py` do the arithmetic.
Nothing here reads or writes the database except `facts.facts_from_case`, which reads an already-loaded case.
"""
