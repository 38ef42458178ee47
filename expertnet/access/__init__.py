"""Signed one-time links: answering an invitation, writing an opinion, claiming an account,
resetting a password, confirming a new e-mail address — and the account invitations."""
