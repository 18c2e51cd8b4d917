"""The Inbox: received mail and calendar invitations."""
