import type { ReactNode, Ref } from 'react';
import { Group, Text, Title } from '@mantine/core';

/**
 * A screen's header: its one level-1 heading, a line saying what the screen is for, and the screen's actions on the
 * right (wrapping under the title on narrow windows).
 * @param headingRef for screens that move focus to their heading on arrival (lib/focus.ts useFocusHeading); the
 *   heading then takes focus without entering the tab order (tabIndex -1)
 * @param titleId id of the heading, for a form or region labelled by it
 */
export function ScreenHeader(props: {
  title: ReactNode;
  subtitle?: ReactNode;
  actions?: ReactNode;
  headingRef?: Ref<HTMLHeadingElement>;
  titleId?: string;
  subtitleColor?: string;
}) {
  const { title, subtitle, actions, headingRef, titleId } = props;
  return (
    <Group justify="space-between" align="flex-end" wrap="wrap">
      <div>
        <Title order={1} ref={headingRef} tabIndex={headingRef ? -1 : undefined} id={titleId}>
          {title}
        </Title>
        {subtitle ? <Text c={props.subtitleColor ?? 'dark.4'}>{subtitle}</Text> : null}
      </div>
      {actions ? <Group>{actions}</Group> : null}
    </Group>
  );
}
