"""Brian2 backends: runtime (numpy or Cython code generation) and C++ standalone.

Imported lazily through :mod:`biomem.backends`, so Brian2 is only needed when asked for.
"""
