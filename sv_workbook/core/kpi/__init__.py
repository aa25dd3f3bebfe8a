"""Social value KPI registers: the register as data and its rules, parsing, measures and £ proxies."""
