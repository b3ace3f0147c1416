"""Text doors that act on a lab from outside the ``apprm`` CLI (RAID Manager commands),
holding the lab's lock and transaction like the CLI does."""
