select "t0"."user_id" from "shop"."users" as "t0" where "t0"."email" ilike (('%' || replace(replace(replace(?, '!', '!!'), '%', '!%'), '_', '!_')) || '%') escape '!'
