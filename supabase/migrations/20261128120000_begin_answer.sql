-- Everything that happens before a question is answered, in one transaction and one round trip: the question
-- is stored, the conversation gets its title from the first question (only while it still has the default
-- one), the answer's run is registered (stoppable from any worker), and the history the model replays is
-- returned: the messages after p_history_after (the last one the rolling summary covers; all when null), with
-- their tool calls and without their cards, the question last.
-- Security invoker: the caller's row-level security applies to every statement; a conversation that is not
-- the caller's active one fails the messages insert policy (42501).
create function public.begin_answer(
    p_conversation_id uuid, p_question text, p_title text default null, p_start_run boolean default true,
    p_history_after uuid default null
) returns jsonb
language plpgsql security invoker set search_path = '' as $$
declare
    question public.messages;
    title_set boolean := false;
    run_id uuid;
    history jsonb;
begin
    insert into public.messages (conversation_id, role, content)
    values (p_conversation_id, 'user', p_question)
    returning * into question;

    if p_title is not null then
        update public.conversations
           set title = p_title
         where id = p_conversation_id and title = 'New chat';
        title_set := found;
    end if;

    if p_start_run then
        insert into public.chat_runs (conversation_id) values (p_conversation_id) returning id into run_id;
    end if;

    select coalesce(jsonb_agg(
               (to_jsonb(m) - 'data')
               || jsonb_build_object('tool_calls', coalesce(
                      (select jsonb_agg(to_jsonb(tc) order by tc.seq)
                         from public.tool_calls tc where tc.message_id = m.id), '[]'))
               order by m.seq), '[]')
      into history
      from public.messages m
     where m.conversation_id = p_conversation_id
       and m.seq > coalesce(
               (select a.seq from public.messages a
                 where a.id = p_history_after and a.conversation_id = p_conversation_id), 0);

    return jsonb_build_object('title_set', title_set, 'run_id', run_id, 'history', history);
end $$;

revoke execute on function public.begin_answer(uuid, text, text, boolean, uuid) from public, anon;
grant execute on function public.begin_answer(uuid, text, text, boolean, uuid) to authenticated, service_role;
