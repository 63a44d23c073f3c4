"""Lifecycles: one shared, model-less ``transitions`` machine per aggregate type.

A machine per object is slow and ``add_model`` per aggregate leaks memory, so each lifecycle builds
one ``Machine(model=None, auto_transitions=False)`` at import and fires its events on a throwaway
holder. Aggregates keep their state as a plain attribute and ask :meth:`Lifecycle.fire` for the next
one; an illegal trigger raises before anything is changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from enum import StrEnum

from attrs import field, frozen
from transitions import Machine, MachineError

from orderflow.domain.errors import IllegalTransition


def _names(states: Iterable[object]) -> tuple[str, ...]:
    return tuple(str(s) for s in states)


@frozen
class Transition:
    """``trigger`` moves an aggregate from any of ``sources`` to ``dest``."""

    trigger: str
    sources: tuple[str, ...] = field(converter=_names)
    dest: str = field(converter=str)


class _Holder:
    __slots__ = ("state",)

    def __init__(self, state: str) -> None:
        self.state = state


class Lifecycle:
    """A named transition table backed by one shared ``transitions`` machine."""

    def __init__(
        self, aggregate: str, states: type[StrEnum], transitions: Sequence[Transition]
    ) -> None:
        self.aggregate = aggregate
        self.states = states
        self.transitions = tuple(transitions)
        self.machine = Machine(
            model=None,
            states=[s.value for s in states],
            transitions=[
                {"trigger": t.trigger, "source": list(t.sources), "dest": t.dest}
                for t in self.transitions
            ],
            initial=None,
            auto_transitions=False,
            send_event=False,
        )
        self._allowed: dict[str, tuple[str, ...]] = {
            s.value: tuple(t.trigger for t in self.transitions if s.value in t.sources)
            for s in states
        }

    @property
    def triggers(self) -> tuple[str, ...]:
        """Every trigger of the table, in declaration order, without repeats."""
        return tuple(dict.fromkeys(t.trigger for t in self.transitions))

    def allowed(self, state: str) -> tuple[str, ...]:
        """The triggers that ``state`` allows."""
        return self._allowed[state]

    def mermaid(self) -> str:
        """The table as a Mermaid state diagram."""
        rows = [
            f"    {source} --> {t.dest}: {t.trigger}"
            for t in self.transitions
            for source in t.sources
        ]
        return "\n".join(["stateDiagram-v2", f"    [*] --> {next(iter(self.states)).value}", *rows])

    def fire(self, ident: str, state: str, trigger: str) -> str:
        """The state that ``trigger`` leads to from ``state``, or IllegalTransition."""
        event = self.machine.events.get(trigger)
        holder = _Holder(str(state))
        try:
            if event is None or not event.trigger(holder):
                raise MachineError(trigger)
        except MachineError:
            raise IllegalTransition(
                self.aggregate, ident, str(state), trigger, self.allowed(str(state))
            ) from None
        return holder.state
