import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { api, auth, session, whenUnauthorized, type Me } from './api';
import { Link, PageTitle } from './components/ui';
import { HTML_LANG, MESSAGES, type Lang } from './i18n';
import { navigate, useLocation } from './router';
import { AppContext, homeOf, screensOf, useApp, type AppState } from './state';
import { Board } from './screens/board';
import { SignIn } from './screens/sign-in';
import { Tasks } from './screens/tasks';
import { InboxBadge } from './components/inbox-badge';
import { lazyScreen } from './components/lazy';

// Screens beyond the board and the task list load on first use (their own chunks): the first load stays small.
const CasePage = lazyScreen(() => import('./screens/case').then((m) => m.CasePage));
const Approvals = lazyScreen(() => import('./screens/approvals').then((m) => m.Approvals));
const Monitor = lazyScreen(() => import('./screens/monitor').then((m) => m.Monitor));
const OrdersPage = lazyScreen(() => import('./screens/orders').then((m) => m.OrdersPage));
const SupervisionPage = lazyScreen(() => import('./screens/orders').then((m) => m.SupervisionPage));
const Inbox = lazyScreen(() => import('./screens/inbox').then((m) => m.Inbox));
const PatrolsPage = lazyScreen(() => import('./screens/patrols').then((m) => m.PatrolsPage));
const MyPairings = lazyScreen(() => import('./screens/pairings').then((m) => m.MyPairings));
const PairingCoverage = lazyScreen(() => import('./screens/pairings').then((m) => m.PairingCoverage));
const DiscoverForm = lazyScreen(() => import('./screens/discoveries').then((m) => m.DiscoverForm));
const MyDiscoveries = lazyScreen(() => import('./screens/discoveries').then((m) => m.MyDiscoveries));
const DiscoveryQueue = lazyScreen(() => import('./screens/discoveries').then((m) => m.DiscoveryQueue));
const IntakeQueue = lazyScreen(() => import('./screens/intakes').then((m) => m.IntakeQueue));
const MembersPage = lazyScreen(() => import('./screens/members').then((m) => m.MembersPage));
const MyPointsPage = lazyScreen(() => import('./screens/members').then((m) => m.MyPointsPage));
const RankingPage = lazyScreen(() => import('./screens/members').then((m) => m.RankingPage));
const ServiceTasksPage = lazyScreen(() => import('./screens/members').then((m) => m.ServiceTasksPage));
const OrgTreePage = lazyScreen(() => import('./screens/admin').then((m) => m.OrgTreePage));
const CalendarPage = lazyScreen(() => import('./screens/admin').then((m) => m.CalendarPage));
const CataloguePage = lazyScreen(() => import('./screens/admin').then((m) => m.CataloguePage));
const WishesPage = lazyScreen(() => import('./screens/wishes').then((m) => m.WishesPage));
const ReportsPage = lazyScreen(() => import('./screens/reports').then((m) => m.ReportsPage));
const PartyDaysPage = lazyScreen(() => import('./screens/party-days').then((m) => m.PartyDaysPage));
const PartyDayPage = lazyScreen(() => import('./screens/party-days').then((m) => m.PartyDayPage));
const HouseholdsPage = lazyScreen(() => import('./screens/households').then((m) => m.HouseholdsPage));
const RegisterHousehold = lazyScreen(() => import('./screens/households').then((m) => m.RegisterHousehold));
const HouseholdPage = lazyScreen(() => import('./screens/households').then((m) => m.HouseholdPage));
const ApplicationsPage = lazyScreen(() => import('./screens/applications').then((m) => m.ApplicationsPage));
const UsersPage = lazyScreen(() => import('./screens/accounts').then((m) => m.UsersPage));
const ChangePassword = lazyScreen(() => import('./screens/accounts').then((m) => m.ChangePassword));

const LANG_KEY = 'jiuzhu.lang';
/** Lists that need no more than the token: they start loading while /v1/me answers (one round trip less). */
const EARLY = new Set(['/board', '/tasks']);
const initialLang = (): Lang => (localStorage.getItem(LANG_KEY) === 'en' ? 'en' : 'zh');

export function App() {
  const [lang, setLangState] = useState<Lang>(initialLang);
  // undefined: still asking /v1/me for the token this tab holds, or, without one, asking /v1/auth/refresh for a
  // session this browser holds (the way back from OIDC sign-in, a reload, another tab): the sign-in screen is not
  // shown meanwhile.
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [flash, setFlash] = useState<string | null>(null);
  const t = MESSAGES[lang];
  const { path } = useLocation();

  useEffect(() => {
    document.documentElement.lang = HTML_LANG[lang];
  }, [lang]);

  // Set after an admin's reset: nothing but the password change until it is done (the API says the same).
  const [mustChange, setMustChange] = useState(auth.mustChange());

  const signOut = useCallback(() => {
    // The API revokes the session (its tokens refused at once); the tab forgets it.
    void auth.signOut();
    session.clear();
    setMustChange(false);
    setMe(null);
    navigate('/signin');
  }, []);

  useEffect(() => {
    whenUnauthorized((why) => {
      // Idle past the session's idle expiry: the session is ended at the API too (its refresh cookie revoked), so
      // that a reload or another tab does not renew it without a password (fresh-eyes on this round).
      if (why === 'idle') void auth.signOut();
      session.clear();
      setMe(null);
      setFlash(why === 'idle' ? 'sessionIdle' : 'sessionExpired');
      navigate('/signin');
    });
    const token = session.token();
    if (token) {
      api.get<Me>('/v1/me').then(setMe, () => {
        session.clear();
        setMe(null);
      });
    } else {
      // A session this browser holds (the refresh cookie: a reload, another tab, the way back from OIDC sign-in).
      void auth.refresh().then((r) => {
        if (!r) return setMe(null);
        setMustChange(auth.mustChange());
        api.get<Me>('/v1/me').then(setMe, () => setMe(null));
      });
    }
  }, []);

  const state: AppState = useMemo(
    () => ({
      lang,
      t,
      setLang: (l: Lang) => {
        localStorage.setItem(LANG_KEY, l);
        setLangState(l);
      },
      me: me ?? null,
      async signIn(token: string) {
        const who = await api.get<Me>('/v1/me', token);
        session.set(token);
        setMustChange(auth.mustChange());
        setFlash(null);
        setMe(who);
        navigate(homeOf(who.role), { replace: true });
      },
      signOut,
    }),
    [lang, t, me, signOut],
  );

  // Where to go when the path is the root or the user is not signed in.
  useEffect(() => {
    if (me === undefined) return;
    if (!me && path !== '/signin') navigate('/signin', { replace: true });
    else if (me && (path === '/' || path === '/signin')) navigate(homeOf(me.role), { replace: true });
  }, [me, path]);

  return (
    <AppContext.Provider value={state}>
      <a class="skip-link" href="#main">
        {t.skipToContent}
      </a>
      <header class="topbar">
        <div class="topbar-inner">
          <p class="brand">
            <span aria-hidden="true" class="brand-mark">
              {t.brandMark}
            </span>
            {t.appName}
          </p>
          {me && <Nav path={path} role={me.role} unitLevel={me.unit.level} />}
          <div class="topbar-tools">
            {me && <InboxBadge />}
            {me && (
              <p class="whoami" data-testid="whoami">
                {t.signIn.signedInAs(me.name ?? me.userId, t.roles[me.role] ?? me.roleName, me.unit.name)}
              </p>
            )}
            <button type="button" class="btn btn-quiet" lang={t.otherLanguageLang} aria-label={`${t.switchLanguage}: ${t.otherLanguage}`} onClick={() => state.setLang(lang === 'zh' ? 'en' : 'zh')}>
              {t.otherLanguage}
            </button>
            {me && (
              <Link to="/password" class="btn btn-quiet">
                {t.accounts.changeTitle}
              </Link>
            )}
            {me && (
              <button type="button" class="btn btn-quiet" onClick={signOut}>
                {t.signIn.signOut}
              </button>
            )}
          </div>
        </div>
      </header>
      <main id="main" class="page">
        {me === null ? (
          <SignIn notice={flash === 'sessionExpired' ? t.common.sessionExpired : flash === 'sessionIdle' ? t.common.sessionIdle : null} />
        ) : me && mustChange ? (
          <ChangePassword forced onDone={() => setMustChange(false)} />
        ) : me || (EARLY.has(path) && session.token()) ? (
          <Routes path={path} />
        ) : null}
      </main>
    </AppContext.Provider>
  );
}

/**
 * The main navigation. At phone widths (styles.css) it is folded to one scrollable line with a 菜单 button
 * that unfolds every link in the page (an in-page disclosure, no pop-up): a village worker's 14 links took
 * 370 of 667 px (fresh-eyes on issue 14). Every link stays in the page, labelled, and reachable either way.
 */
function Nav(props: { path: string; role: string; unitLevel: string }) {
  const { t } = useApp();
  const [open, setOpen] = useState(false);
  useEffect(() => setOpen(false), [props.path]);
  return (
    <nav aria-label={t.mainNav} class="mainnav">
      <button type="button" class="mainnav-toggle" aria-expanded={open} aria-controls="mainnav-list" title={t.common.menuHint} onClick={() => setOpen(!open)}>
        {t.common.menu}
      </button>
      <ul id="mainnav-list" class={open ? 'open' : undefined}>
        {screensOf(props.role, props.unitLevel).map((s) => {
          const current = props.path === `/${s}` || props.path.startsWith(`/${s}/`);
          return (
            <li key={s}>
              <Link to={`/${s}`} aria-current={current ? 'page' : undefined}>
                {t.nav[s]}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}

function Routes(props: { path: string }) {
  const p = props.path;
  let m: RegExpExecArray | null;
  if (p === '/' || p === '/signin') return null; // on the way to the role's start page
  if (p === '/board') return <Board />;
  if (p === '/tasks') return <Tasks />;
  if (p === '/approvals') return <Approvals />;
  if ((m = /^\/cases\/([^/]+)$/.exec(p))) return <CasePage id={decodeURIComponent(m[1]!)} />;
  if (p === '/monitor') return <Monitor />;
  if (p === '/orders') return <OrdersPage />;
  if (p === '/supervision') return <SupervisionPage />;
  if (p === '/inbox') return <Inbox />;
  if (p === '/patrols') return <PatrolsPage />;
  if (p === '/pairings') return <MyPairings />;
  if (p === '/coverage') return <PairingCoverage />;
  if ((m = /^\/coverage\/(\d{6,12})$/.exec(p))) return <PairingCoverage code={m[1]!} />;
  if (p === '/discover') return <DiscoverForm />;
  if (p === '/my-discoveries') return <MyDiscoveries />;
  if (p === '/discoveries') return <DiscoveryQueue />;
  if (p === '/members') return <MembersPage />;
  if (p === '/points') return <MyPointsPage />;
  if (p === '/ranking') return <RankingPage />;
  if (p === '/service') return <ServiceTasksPage />;
  if (p === '/intakes') return <IntakeQueue />;
  if (p === '/users') return <UsersPage />;
  if (p === '/password') return <ChangePassword forced={false} onDone={() => undefined} />;
  if ((m = /^\/monitor\/(\d{6,12})$/.exec(p))) return <Monitor code={m[1]!} />;
  if (p === '/org') return <OrgTreePage />;
  if ((m = /^\/org\/(\d{6,12}(?:-G\d{2,3})?)$/.exec(p))) return <OrgTreePage code={m[1]!} />;
  if (p === '/calendar') return <CalendarPage />;
  if (p === '/catalogue') return <CataloguePage />;
  if (p === '/wishes') return <WishesPage />;
  if (p === '/reports') return <ReportsPage />;
  if (p === '/party-days') return <PartyDaysPage />;
  if ((m = /^\/party-days\/([^/]+)$/.exec(p))) return <PartyDayPage id={decodeURIComponent(m[1]!)} />;
  if (p === '/households') return <HouseholdsPage />;
  if (p === '/households/new') return <RegisterHousehold />;
  if ((m = /^\/households\/(hh-[0-9a-f]{12})$/.exec(p))) return <HouseholdPage id={m[1]!} registered={new URLSearchParams(location.search).has('registered')} />;
  if (p === '/applications') return <ApplicationsPage />;
  return <NotFound />;
}

function NotFound() {
  const { t, me } = useApp();
  return (
    <section aria-labelledby="page-title">
      <PageTitle>{t.common.pageNotFound}</PageTitle>
      {me && <Link to={homeOf(me.role)}>{t.common.home}</Link>}
    </section>
  );
}

