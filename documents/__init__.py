"""Files attached to any object (uploads and generated PDFs), with their checks and visibility.

Floor 2 (docs/ARCHITECTURE.md): imports accounts, audit and core only. Public entry points:
`documents.services.attach`, `documents.services.generate`, `documents.pdf.render_pdf`,
`Document.objects.for_target(obj).visible_to(user)`. See docs/documents-and-messages.md.
"""
