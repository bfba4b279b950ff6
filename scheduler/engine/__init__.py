"""The publishing engine: claim due posts, publish them exactly once, reconcile what was interrupted.

See DESIGN.md §4 and shared/publishing-reliability.md for the contract this code keeps.
"""
