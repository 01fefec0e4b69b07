"""What a store says about an order's payment: how much it received, and its status."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from causeway.model.order import FinancialStatus


class OrderPayment(BaseModel):
    model_config = ConfigDict(frozen=True)

    order_external_id: str
    order_number: str
    financial_status: FinancialStatus
    currency: str
    received: Decimal  # what the customer has paid so far (net of nothing: refunds are apart)
    updated_at: datetime
