"""The service owners' web app for designing and publishing forms.

Not built yet: the builder issue adds it. It will edit definitions in the format of
``form_definitions`` and publish only what passes ``formwerk check``.
"""
