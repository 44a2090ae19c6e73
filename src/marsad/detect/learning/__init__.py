"""Learning from analysts: the labelling queue, labels, agreement, retraining, the model registry.

See docs/detect.md ("Learning from analysts"). The pure parts (``sampling``,
``gain``, ``agreement``) import no database; ``labels``, ``queue``,
``registry`` and ``retrain`` are the database side; ``cli``, ``views``,
``api`` and ``jobs`` are thin shells over them, mounted by ``detect/plugin.py``.
"""
