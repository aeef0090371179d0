// Live updates for instructors: each workshop has its listeners (the open
// dashboards' event streams). One process, one hub. With several processes on
// one database (PostgreSQL), each hub also relays what it publishes to the
// others (LISTEN/NOTIFY, pg-storage.ts) and delivers what they publish.

export type WorkshopEvent =
  | { type: 'submission'; data: { id: string; learnerId: string; lab: string; status: 'queued' | 'grading' | 'done'; score?: number; max_score?: number; resultStatus?: string } }
  | { type: 'learner'; data: { id: string; name: string; action: 'joined' | 'removed' } }
  | { type: 'workshop'; data: { closed?: boolean; solutions?: boolean } };

export type Listener = (event: WorkshopEvent) => void;

/** Carries a hub's events to the hubs of the other processes on the same database. */
export interface EventRelay {
  send(workshopId: number, event: WorkshopEvent): void;
}

export class EventHub {
  private readonly listeners = new Map<number, Set<Listener>>();
  private relay: EventRelay | null = null;

  /** From now on, every event published here also goes to the other processes. */
  relayTo(relay: EventRelay): void {
    this.relay = relay;
  }

  subscribe(workshopId: number, listener: Listener): () => void {
    let set = this.listeners.get(workshopId);
    if (!set) this.listeners.set(workshopId, (set = new Set()));
    set.add(listener);
    return () => {
      set!.delete(listener);
      if (set!.size === 0) this.listeners.delete(workshopId);
    };
  }

  publish(workshopId: number, event: WorkshopEvent): void {
    this.deliver(workshopId, event);
    this.relay?.send(workshopId, event);
  }

  /** Hands an event to this process's listeners only (one that another process published). */
  deliver(workshopId: number, event: WorkshopEvent): void {
    const set = this.listeners.get(workshopId);
    if (!set) return;
    for (const l of [...set]) {
      try {
        l(event);
      } catch {
        // A broken stream must not stop the others.
      }
    }
  }

  get size(): number {
    let n = 0;
    for (const s of this.listeners.values()) n += s.size;
    return n;
  }
}
