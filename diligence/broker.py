"""kombu's Redis transport, with one fix: an acknowledgement Redis did not answer still
frees the worker's prefetch slot.

kombu forgets a delivered message only after Redis confirmed its ack. When Redis is paused
(it accepts connections and answers nothing) a task finishing meanwhile cannot be acked:
Celery logs "Couldn't ack" and carries on, but the message keeps its slot in the prefetch
window for ever, and once every slot is held that way the worker never fetches again - it
survives the pause and stops working. The connection is never dropped (nothing failed on
it but that one command), so nothing resets the window either.

Here the slot is freed whatever Redis answered. The message is still unacknowledged in
Redis, so after the visibility timeout Redis delivers it again: our tasks are idempotent
(the scoring job and the report row say it is done), so that costs a no-op, not a rerun.
"""

from __future__ import annotations

from kombu.transport import redis, virtual


class QoS(redis.QoS):
    def ack(self, delivery_tag):
        try:
            self._remove_from_indices(delivery_tag).execute()
        finally:
            virtual.QoS.ack(self, delivery_tag)

    def reject(self, delivery_tag, requeue=False):
        try:
            if requeue:
                self.restore_by_tag(delivery_tag, leftmost=True)
            else:
                self._remove_from_indices(delivery_tag).execute()
        finally:
            virtual.QoS.ack(self, delivery_tag)


class Channel(redis.Channel):
    QoS = QoS


class Transport(redis.Transport):
    Channel = Channel
