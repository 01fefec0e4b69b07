"""The golden customer record: one record per person across store, ERP and CRM.

normalise.py cleans raw contact data, matching.py decides whether two records are the
same person, record.py and survivorship.py hold a record's fields and who wins each,
resolve.py and merges.py are the API the flows call. orders.py keeps which orders count
for a customer and which CRM contact is theirs; crm_contact.py says what a customer looks
like as a CRM contact (figures, RFM segment, properties); system_fields.py which golden
field is which in the CRM and the ERP, and what to write where. The records and their
blocking keys are stored by the engine (engine/golden_records.py), the only code that
touches its tables.
"""
