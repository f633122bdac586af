// Lays the taxonomy tree out for the form: sections by clinical significance (high first), then by location.
export const SIGNIFICANCE_ORDER = ['high', 'moderate', 'low'];

function locationOf(trait) {
  const names = (trait.groups || []).filter((g) => g.kind === 'location').map((g) => g.name);
  return names.length ? names.join(' / ') : 'other';
}

function byDisplayOrder(a, b) {
  return (a.display_order ?? 0) - (b.display_order ?? 0);
}

// Top-level traits only; subtypes stay nested under their parent wherever it is shown.
export function layoutTraits(traits) {
  const sections = [];
  for (const significance of SIGNIFICANCE_ORDER) {
    const members = traits.filter((t) => t.significance === significance).sort(byDisplayOrder);
    if (!members.length) continue;
    const locations = new Map();
    for (const trait of members) {
      const location = locationOf(trait);
      if (!locations.has(location)) locations.set(location, []);
      locations.get(location).push(trait);
    }
    sections.push({
      significance,
      groups: [...locations].map(([location, groupTraits]) => ({ location, traits: groupTraits })),
    });
  }
  return sections;
}
