"""Operating reports (`aicc-ops report`): the data (sources), a seeded demo week (synthetic) and
rendering (render, templates/); the numbers themselves are aicc.domain.report."""
