"""One home for names: every code list, policy name, workflow state, action and refusal the platform shows, in
Chinese and English (docs/i18n.md). Pure data: no Flask, Babel or SQLAlchemy, so the rule engine, services,
pages, PDFs, the API and the CLI all read the same table.

- talent.names.codes: divisions, education, titles, kinds of employer and role; list joining per language.
- talent.names.policy: tiers, programmes, honours, services, facts (the checker's questions), rules and tables
  of the policy, the checker's three states.
- talent.names.workflow: application statuses, timeline steps, audit actions and fields, card, instalment and
  objection statuses, clocks.
- talent.names.refusals: the refusals services raise, one constant each.
- talent.names.hiring: job-application states, decline reasons, retention answers, hiring refusals.

Page text (headings, buttons, sentences of a template) stays in gettext catalogues.
"""

from talent.names import codes, hiring, policy, refusals, workflow

__all__ = ["codes", "hiring", "policy", "refusals", "workflow"]
