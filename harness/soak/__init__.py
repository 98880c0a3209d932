"""The soak (SLO-*): thousands of mixed calls, samples over time, chaos in the middle.

`driver` keeps calls in flight and times each, `sampler` reads the server
process and its database connections meanwhile, `figures` turns both into
percentiles, slopes and the recovery time, `chart` draws the samples as an
inline SVG for the HTML report.
"""
