"""Microsoft Exchange Server 2003 and 2007 simulator (vss-and-core.md §6, sap-vss-addendum
VSS-5..VSS-9, VSS-13): storage groups of ESE databases whose headers, pages, logs and
checkpoints live in files on the simulated Windows hosts, LCR/CCR passive copies fed by log
shipping and replay, the Exchange writers' backup hooks and eseutil's checks."""
