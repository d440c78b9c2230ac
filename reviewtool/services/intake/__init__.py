"""Application intake (申报受理): the import and its steps, the application form, attachments, formal review, area tags and the import template."""
