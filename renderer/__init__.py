"""The citizen-facing portal: catalogue, forms, validation, uploads, receipts, JSON API."""
