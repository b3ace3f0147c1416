"""What the two front doors share, the CLI (:mod:`apprm_ref.cli`) and the REST API with its
console (:mod:`apprm_ref.api`, :mod:`apprm_ref.console`): the lab one command or request
opens, the per-session logs, the lab's ``apprm.toml`` and the JSON views. Neither front door
imports the other."""
