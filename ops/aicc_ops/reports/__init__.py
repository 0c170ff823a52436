"""Operating reports (`aicc-ops report`): the data (sources) and a seeded demo week (synthetic); the
numbers are aicc.domain.report, the text and charts aicc.domain.report_render (the scheduled job's)."""
