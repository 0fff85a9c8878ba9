/**
 * How a practice workstation is named on screen. Main records the sender in the shared queue as
 * "<label> [<first 8 characters of its id>]" (queueWorkstationName, unique, never PHI); staff read only the label they
 * chose ("Front desk 1"). The id part is kept only when another workstation shown beside it has the same label.
 */
const STORED = /^(.*) \[([0-9A-Za-z_-]{1,16})\]$/;

/** The label and id part of a stored workstation name (a name without an id part is all label). */
function split(name: string): { label: string; id: string | null } {
  const m = STORED.exec(name);
  return m ? { label: m[1]!, id: m[2]! } : { label: name, id: null };
}

/**
 * The name to show for `name` among the workstation names shown on the same screen (`among`, may include `name`):
 * the label alone, or "<label> (workstation <id>)" when another workstation there shares the label.
 */
export function workstationLabel(name: string, among: readonly (string | null | undefined)[] = []): string {
  const me = split(name);
  const twin = among.some((o) => {
    if (!o) return false;
    const other = split(o);
    return other.label === me.label && other.id !== me.id;
  });
  return twin && me.id ? `${me.label} (workstation ${me.id})` : me.label;
}
