"""A message thread on any object (one per object), internal notes, attachments, e-mail notifications.

Floor 2 (docs/ARCHITECTURE.md): imports documents (attachments), accounts, audit and core. Public
entry points: `messaging.services.post_message`, `Message.objects.for_target(obj).visible_to(user)`.
See docs/documents-and-messages.md.
"""
