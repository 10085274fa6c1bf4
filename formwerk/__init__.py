"""formwerk: online services for the authorities of a Portalverbund."""
