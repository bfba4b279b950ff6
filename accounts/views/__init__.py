"""Views of the accounts app: home and notifications (home.py), Instagram connections (instagram.py)."""
