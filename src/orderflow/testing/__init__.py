"""Test support shipped with orderflow: hypothesis strategies and contract suites for adapters.

Needs the ``test`` extra (pytest, hypothesis). Adapter authors subclass the contract classes in
:mod:`orderflow.testing.contract` to prove their adapter behaves like the reference ones.
"""
