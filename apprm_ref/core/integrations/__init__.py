"""Application integrations: filesystem, Oracle, SAP, VSS."""
