"""The B2B portal's own logic, apart from its pages (web/portal): the catalogue a company
sees (its prices, availability now), checkout decisions (limits, credit), approvals.
It reads the ERP through the ports (model/ports/portal.py) and the store through the
engine."""
