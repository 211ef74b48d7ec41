"""IPython startup file for tools/execute_notebooks.py: widget model ids from a seeded generator.

Each widget's comm id (the key of its stored state) is normally a random UUID, so every
re-execution rewrote thousands of lines of each lesson and hid the real change in the diff.
Seeded ids make a re-run with unchanged outputs an unchanged file. Only the kernels that
store lesson outputs load this; a student's kernel keeps random ids, and stored ids never
meet live ones (JupyterLab shows the stored state only until the cell runs again).
"""


def _seed_comm_ids() -> None:
    import random
    import uuid

    try:
        import comm.base_comm as base_comm
    except ImportError:  # an ipykernel without the comm package: nothing to make stable
        return
    rng = random.Random("exolab-stored-outputs")

    class _SeededUUID:
        """The ``uuid`` module as ``comm`` sees it, with uuid4 drawn from ``rng``."""

        def __getattr__(self, name):
            return getattr(uuid, name)

        @staticmethod
        def uuid4():
            return uuid.UUID(int=rng.getrandbits(128), version=4)

    base_comm.uuid = _SeededUUID()


_seed_comm_ids()
del _seed_comm_ids
