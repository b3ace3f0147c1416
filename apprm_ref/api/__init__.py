"""The REST API and web console of a lab (``apprm serve``).

Every request reaches the lab through the same path as the ``apprm`` CLI: a reader opens
one read-only snapshot, a writer takes the lab's writer lock and runs one transaction
(:class:`apprm_ref.front.lab.Lab` over :class:`apprm_ref.lab.handle.LabHandle`), and what
a request asks is checked and run by the shared service layer (:mod:`apprm_ref.core.service`,
:mod:`apprm_ref.core.requests`). Token authentication with two roles guards it
(:mod:`apprm_ref.api.auth`, ECO-I1).
"""
