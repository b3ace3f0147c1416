"""In-process simulators of the arrays, hosts and applications."""
