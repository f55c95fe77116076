import type {
  CollectionKind,
  CollectionProperties,
  DavCollection,
  DavStore,
} from '../../davstore/dav-store.js';

/** The kinds of data a sync moves; `--only` picks among them. */
export type DataKind = 'mail' | 'calendars' | 'contacts';

/** The DAV collection kind each DAV data kind is. */
export const COLLECTION_KIND: Record<'calendars' | 'contacts', CollectionKind> = {
  calendars: 'calendar',
  contacts: 'addressbook',
};

/** The properties of a collection that move with it. */
export function propertiesOf(c: DavCollection): CollectionProperties {
  return { displayName: c.displayName, color: c.color, description: c.description, components: c.components };
}

/** The properties a target collection still lacks of the source's (display name, colour, description). */
export function differingProperties(source: DavCollection, target: DavCollection): string[] {
  const out: string[] = [];
  if (source.displayName !== undefined && source.displayName !== target.displayName) out.push('display name');
  if (source.color !== undefined && source.kind === 'calendar' && source.color !== target.color)
    out.push('colour');
  if (source.description !== undefined && source.description !== target.description) out.push('description');
  return out;
}

/** Whether a target collection still needs its properties set to the source's. */
export function propertiesDiffer(source: DavCollection, target: DavCollection): boolean {
  return differingProperties(source, target).length > 0;
}

/** The target collection for a source collection: the one the checkpoint names, else the same name under the kind's home. */
export function findTargetCollection(
  source: DavCollection,
  targets: DavCollection[],
  target: DavStore,
  checkpointed: string | undefined,
): DavCollection | undefined {
  if (checkpointed) {
    const known = targets.find((t) => t.href === checkpointed && t.kind === source.kind);
    if (known) return known;
  }
  const home = target.homes[source.kind];
  return targets.find(
    (t) =>
      t.kind === source.kind &&
      t.name === source.name &&
      (!home || new URL(t.href, home).toString().startsWith(home)),
  );
}
