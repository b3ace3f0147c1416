"""Driver Protocols: the only view of arrays, hosts and applications that core/ has."""
