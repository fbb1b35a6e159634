import type { EventType } from '@hookwire/client';

/** Catalog event types as checkboxes, grouped by resource (`link.click` → "link"). */
export function EventPicker(props: {
  catalog: EventType[];
  selected: string[];
  onChange: (names: string[]) => void;
}) {
  const groups = new Map<string, EventType[]>();
  for (const t of [...props.catalog].sort((a, b) => a.name.localeCompare(b.name))) {
    const resource = t.name.slice(0, t.name.lastIndexOf('.')) || t.name;
    groups.set(resource, [...(groups.get(resource) ?? []), t]);
  }
  if (groups.size === 0) {
    return <p class="muted">The event catalog is empty: name the event types below.</p>;
  }
  const toggle = (name: string, on: boolean) =>
    props.onChange(on ? [...props.selected, name] : props.selected.filter((n) => n !== name));
  return (
    <div class="event-groups">
      {[...groups].map(([resource, types]) => (
        <fieldset key={resource} class="event-group">
          <legend class="mono">{resource}</legend>
          {types.map((t) => (
            <label key={t.name} class="check" title={t.description || undefined}>
              <input
                type="checkbox"
                value={t.name}
                checked={props.selected.includes(t.name)}
                onChange={(e) => toggle(t.name, e.currentTarget.checked)}
              />
              <span class="mono">{t.name}</span>
            </label>
          ))}
        </fieldset>
      ))}
    </div>
  );
}
