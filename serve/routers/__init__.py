"""The `/v1` endpoints, one module per area, plus health and readiness."""
