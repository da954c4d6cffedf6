import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import { Link } from '../components/ui';
import { useApp } from '../state';
import { useIntakeRegisterText } from '../i18n-intakes';

/**
 * What the register already holds for an intake's ID number (GET /v1/intakes/{id} `register`; fresh-eyes on
 * issue 14: an intake filed with someone else's ID number was accepted silently into that household's open
 * application). Null: the number is not registered.
 */
export interface RegisterMatch {
  inVillage: boolean;
  householdId: string | null;
  registeredName: string | null;
  nameMatches: boolean;
  asHead: boolean;
  openApplicationId: string | null;
  phoneMatches: boolean | null;
  addressMatches: boolean | null;
}

/**
 * The warning shown on the acceptance form before the town accepts: the ID number is already registered —
 * in this village (its household, the name the register holds, whether the applicant's name is that name,
 * the open application an acceptance would join) or elsewhere. Reports what it read through `onRead`.
 */
export function RegisterCheck(props: { caseId: string; onRead?: (m: RegisterMatch | null) => void }) {
  const { t } = useApp();
  const intakeRegisterText = useIntakeRegisterText();
  const s = intakeRegisterText;
  const [match, setMatch] = useState<RegisterMatch | null>(null);
  useEffect(() => {
    api
      .get<{ register?: RegisterMatch | null }>(`/v1/intakes/${encodeURIComponent(props.caseId)}`)
      .then((x) => {
        setMatch(x.register ?? null);
        props.onRead?.(x.register ?? null);
      })
      .catch(() => undefined);
  }, [props.caseId]);
  if (!match) return null;
  return (
    <div class={`notice${match.nameMatches && match.inVillage && match.phoneMatches !== false && match.addressMatches !== false ? '' : ' notice-warn'}`} data-testid="intake-register-check">
      <p>
        <strong>{s.registered}</strong>{' '}
        {match.inVillage ? s.inVillage(match.registeredName ?? '', match.asHead) : s.elsewhere}
        {match.householdId && (
          <>
            {' '}
            <Link to={`/households/${encodeURIComponent(match.householdId)}`}>{t.caseView.householdPage}</Link>
          </>
        )}
      </p>
      {!match.nameMatches && <p data-testid="intake-name-mismatch">{s.nameMismatch}</p>}
      {(match.phoneMatches === false || match.addressMatches === false) && <p data-testid="intake-contact-mismatch">{s.contactMismatch(match.phoneMatches === false, match.addressMatches === false)}</p>}
      {match.openApplicationId && (
        <p>
          {s.joins} <Link to={`/cases/${encodeURIComponent(match.openApplicationId)}`}>{match.openApplicationId}</Link>
        </p>
      )}
    </div>
  );
}
