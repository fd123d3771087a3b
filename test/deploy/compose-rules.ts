// Rules the production compose file must keep (issue 7), as a function returning every violation, so the test can
// show both that the real file passes and that each rule catches a broken copy.
// Input: the normalized model printed by `docker-compose config` (anchors merged, defaults filled in), parsed.

/* eslint-disable @typescript-eslint/no-explicit-any -- compose models are untyped YAML */
type Service = Record<string, any>;
export interface ComposeModel {
  services: Record<string, Service>;
  networks?: Record<string, any>;
  volumes?: Record<string, any>;
}

export const PROD_SERVICES = ['api', 'worker', 'migrate', 'postgres-cs', 'redis', 'netdata'];
const LONG_RUNNING = ['api', 'worker', 'postgres-cs', 'redis', 'netdata'];
const SHARED_NET_ONLY = ['api', 'netdata'];

const networksOf = (s: Service): string[] =>
  Array.isArray(s.networks) ? s.networks : s.networks ? Object.keys(s.networks) : ['default'];

interface Mount {
  source: string;
  target: string;
  readOnly: boolean;
}
export function mountsOf(s: Service): Mount[] {
  return (s.volumes ?? []).map((v: any): Mount => {
    if (typeof v === 'string') {
      const [source = '', target = '', mode = ''] = v.split(':');
      return { source, target, readOnly: mode.split(',').includes('ro') };
    }
    return { source: String(v.source ?? ''), target: String(v.target ?? ''), readOnly: v.read_only === true };
  });
}

const isSocket = (m: Mount) => /(^|\/)docker\.sock$/.test(m.source) || /(^|\/)docker\.sock$/.test(m.target);
const healthTest = (s: Service): string[] => {
  const t = s.healthcheck?.test;
  return Array.isArray(t) ? t.map(String) : typeof t === 'string' ? [t] : [];
};
const dependsOn = (s: Service, on: string): string | undefined => {
  const d = s.depends_on;
  if (!d) return undefined;
  if (Array.isArray(d)) return d.includes(on) ? 'service_started' : undefined;
  return d[on] ? (d[on].condition ?? 'service_started') : undefined;
};

export function prodViolations(cfg: ComposeModel): string[] {
  const v: string[] = [];
  const services = cfg.services ?? {};
  const names = Object.keys(services).sort();
  if (names.join() !== [...PROD_SERVICES].sort().join()) v.push(`services are ${names.join(', ')}`);

  for (const [name, s] of Object.entries(services)) {
    if (s.ports && s.ports.length) v.push(`${name} publishes ports`);
    if (s.network_mode) v.push(`${name} uses network_mode ${s.network_mode}`);
    const nets = networksOf(s);
    if (nets.includes('shared-net') && !SHARED_NET_ONLY.includes(name)) v.push(`${name} is on shared-net`);
    for (const m of mountsOf(s).filter(isSocket)) {
      if (name !== 'netdata') v.push(`${name} mounts the docker socket`);
      else if (!m.readOnly) v.push('netdata mounts the docker socket read-write');
    }
    if (s.privileged) v.push(`${name} is privileged`);
  }
  for (const name of SHARED_NET_ONLY) {
    if (services[name] && !networksOf(services[name]).includes('shared-net')) v.push(`${name} is not on shared-net`);
  }
  if (!services.netdata || !mountsOf(services.netdata).some(isSocket)) v.push('netdata has no docker socket');
  const shared = cfg.networks?.['shared-net'];
  if (!shared) v.push('network shared-net is not declared');
  else if (!(shared.external === true || shared.external?.name)) v.push('shared-net is not external');

  for (const name of LONG_RUNNING) {
    const s = services[name];
    if (!s) continue;
    const t = healthTest(s);
    if (s.healthcheck?.disable || t.length === 0 || t[0] === 'NONE') v.push(`${name} has no healthcheck`);
    if (!['always', 'unless-stopped', 'on-failure'].some((p) => String(s.restart ?? '').startsWith(p))) {
      v.push(`${name} has restart policy ${s.restart ?? '(none)'}`);
    }
  }

  const m = services.migrate;
  if (m) {
    const cmd = (Array.isArray(m.command) ? m.command : String(m.command ?? '').split(/\s+/)).join(' ');
    if (!/--experimental-wasm-modules/.test(cmd) || !/dist\/scripts\/migrate\.js/.test(cmd)) v.push(`migrate runs "${cmd}"`);
    if (!['no', undefined].includes(m.restart)) v.push(`migrate has restart ${m.restart}`);
    if (m.scale !== undefined && m.scale !== 1) v.push('migrate is scaled');
    if (m.deploy?.replicas !== undefined && m.deploy.replicas !== 1) v.push('migrate has replicas');
    if (dependsOn(m, 'postgres-cs') !== 'service_healthy') v.push('migrate does not wait for a healthy postgres-cs');
  }
  for (const name of ['api', 'worker']) {
    const s = services[name];
    if (!s) continue;
    if (dependsOn(s, 'migrate') !== 'service_completed_successfully') v.push(`${name} does not wait for migrate`);
    for (const dep of ['postgres-cs', 'redis']) {
      if (dependsOn(s, dep) !== 'service_healthy') v.push(`${name} does not wait for a healthy ${dep}`);
    }
    const envFiles = ([] as string[]).concat(s.env_file ?? []);
    if (!envFiles.some((f) => f.endsWith('.env.prod'))) {
      // docker-compose config inlines env files into `environment`; the raw-file test checks env_file itself
      if (!s.environment?.DATABASE_URL) v.push(`${name} gets no configuration from .env.prod`);
    }
  }
  if (String(services.api?.environment?.API_WORKERS) !== '2') v.push('api does not run API_WORKERS=2');

  const pg = services['postgres-cs'];
  if (pg) {
    if (pg.image !== 'pgvector/pgvector:pg17') v.push(`postgres-cs image ${pg.image}`);
    const data = mountsOf(pg).find((x) => x.target === '/var/lib/postgresql/data');
    const volName = data && (cfg.volumes?.[data.source]?.name ?? data.source);
    if (volName !== 'pgdata-cs') v.push(`postgres-cs data volume is ${volName}`);
  }
  const r = services.redis;
  if (r) {
    const cmd = (Array.isArray(r.command) ? r.command : String(r.command ?? '').split(/\s+/)).join(' ');
    if (!/--maxmemory-policy noeviction/.test(cmd)) v.push('redis is not noeviction');
    if (!/--appendonly yes/.test(cmd)) v.push('redis has no append-only file');
    if (!r.mem_limit && !r.deploy?.resources?.limits?.memory) v.push('redis has no memory limit');
  }
  return v;
}
