-- A minimal stand-in for what a Supabase project provides before our migrations run: the API roles, the
-- auth schema with its users table, and auth.uid()/auth.role()/auth.jwt() reading the claims PostgREST sets
-- per request (request.jwt.claims). Default privileges match Supabase's: the API roles get every table in
-- public, so row-level security is what keeps users apart.
-- Roles belong to the cluster, not a database: a second database (an upgrade test) finds them there.
do $$
begin
    if not exists (select 1 from pg_roles where rolname = 'authenticator') then
        create role anon nologin noinherit;
        create role authenticated nologin noinherit;
        create role service_role nologin noinherit bypassrls;
        create role authenticator login noinherit;
        grant anon, authenticated, service_role to authenticator;
    end if;
end $$;

create schema auth;
create table auth.users (id uuid primary key, email text);

create function auth.jwt() returns jsonb language sql stable as $$
    select coalesce(nullif(current_setting('request.jwt.claims', true), ''), '{}')::jsonb
$$;
create function auth.uid() returns uuid language sql stable as $$
    select nullif(auth.jwt() ->> 'sub', '')::uuid
$$;
create function auth.role() returns text language sql stable as $$
    select nullif(auth.jwt() ->> 'role', '')
$$;

grant usage on schema auth, public to anon, authenticated, service_role;
grant execute on all functions in schema auth to anon, authenticated, service_role;
alter default privileges in schema public grant all on tables to anon, authenticated, service_role;
alter default privileges in schema public grant all on sequences to anon, authenticated, service_role;
alter default privileges in schema public grant all on functions to anon, authenticated, service_role;
