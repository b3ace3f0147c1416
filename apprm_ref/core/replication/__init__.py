"""Array replication methods: snapshot-style (EVA) and split-mirror-style (XP)."""
